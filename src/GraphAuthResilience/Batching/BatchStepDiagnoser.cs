namespace GraphAuthResilience.Batching;

/// <summary>Diagnoses one failed step like a single request (the same classifier and catalog), or returns
/// <see langword="null"/> when the failure is not about auth (a 400 that is the caller's business).</summary>
internal delegate GraphAuthException? BatchStepDiagnoser(BatchStepFailure step);
