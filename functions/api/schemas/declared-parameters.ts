import { z } from 'zod';
import { PARAMETER_TYPES } from '../../core/parameter-inspection/declared-parameter.ts';

/** The type rules, stated once for the OpenAPI document (README: Runs, Declared parameters). */
export const STRICT_RULES =
  'A value fits a parameter whose inferred type is the same (JSON integers are int, numbers with a fraction or exponent float, `1.0` included); an int also fits a float; a bool fits only bool (not int); null fits only a None default; a parameter whose default is None or has no inferable type (an expression, a name, a tuple) takes any value.';

const declaredParameter = z
  .object({
    name: z.string(),
    inferredType: z.enum(PARAMETER_TYPES).nullable().meta({
      description:
        'The annotation when it names int, float, bool, str, list (List[…]), dict (Dict[…]) or None; else the type of the default literal (R: 1 and 1L int, 1.5 float, TRUE bool, "…" str, NULL None, c(…) and list(…) list, list(a = …) dict); null when neither tells',
    }),
    annotation: z.string().nullable().meta({
      description: 'papermill’s inferred_type_name: the annotation or `# type:` comment as written',
    }),
    default: z.string().meta({ description: 'The default’s source text' }),
    help: z.string().meta({ description: 'The trailing comment of the definition’s last line' }),
  })
  .meta({ id: 'DeclaredParameter' });

export const notebookParameters = z
  .object({
    notebookId: z.uuid(),
    kernelType: z.string(),
    language: z
      .string()
      .nullable()
      .meta({ description: 'The kernel language whose parser read the cell (python, R); null: none' }),
    parametersCellId: z
      .string()
      .nullable()
      .meta({ description: 'The first cell tagged `parameters`; null when there is none' }),
    strictParameters: z
      .boolean()
      .meta({ description: 'The notebook’s own setting: its metadata `cellwise.strictParameters`' }),
    parameters: z.array(declaredParameter),
  })
  .meta({ id: 'NotebookParameters' });
