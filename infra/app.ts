import { App } from 'aws-cdk-lib';
import { tenantApp } from './tenant-app.ts';

/** The CDK app (`cdk.json`): one tenant stack, from `-c tenantId=<guid>` and the other settings. */
const app = new App();
tenantApp(app);
app.synth();
