using PcsOrchestrator.Lambda.Runtime;
using PcsOrchestrator.Lambda.SampleFunction;

// A bootstrap for the runtime's and the Lambda emulator's tests; _HANDLER selects one of these handlers.
// SAMPLE_INIT_FAIL=1 makes every factory throw, to exercise the init error path.
return await LambdaBootstrap.RunAsync(SampleHandlers.Registry(ProcessEnvironment.Instance));
