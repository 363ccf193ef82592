// The collections start real processes on a 2-core machine; running them one after another keeps
// timings honest (slow-orders, pool-exhaustion) and lets the plaintext-secret test own the payments folder.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
