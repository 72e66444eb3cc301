import v40 from './schemas/nbformat.v4.0.schema.json' with { type: 'json' };
import v41 from './schemas/nbformat.v4.1.schema.json' with { type: 'json' };
import v42 from './schemas/nbformat.v4.2.schema.json' with { type: 'json' };
import v43 from './schemas/nbformat.v4.3.schema.json' with { type: 'json' };
import v44 from './schemas/nbformat.v4.4.schema.json' with { type: 'json' };
import v45 from './schemas/nbformat.v4.5.schema.json' with { type: 'json' };

/**
 * The official nbformat v4.x JSON schemas (draft-04), copied unchanged from the Jupyter
 * `nbformat` package (BSD-3-Clause). Index = minor version.
 */
export const NBFORMAT_V4_SCHEMAS: readonly object[] = [v40, v41, v42, v43, v44, v45];
export const LATEST_MINOR = NBFORMAT_V4_SCHEMAS.length - 1;
