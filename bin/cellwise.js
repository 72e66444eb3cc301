#!/usr/bin/env node
// The `cellwise` command (package.json "bin"): registers tsx, then runs the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
await import('../cli/cellwise.ts');
