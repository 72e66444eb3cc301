/**
 * Imported before Powertools' tracer (and with it the X-Ray SDK) loads. In its automatic mode
 * the X-Ray SDK installs an async hook on every promise of the process (cls-hooked, with
 * destroy tracking), which only a tracer that traces needs: Powertools traces only in Lambda
 * (`AWS_EXECUTION_ENV` set). Elsewhere (the local stack, the tests) the SDK starts in manual
 * mode, where it hooks nothing: in a CPU profile of the local API process during a burst of 20
 * POST execute, the hook's promise tracking was about 14 % of its busy time. In Lambda nothing
 * changes.
 */
if (!process.env.AWS_EXECUTION_ENV) process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
