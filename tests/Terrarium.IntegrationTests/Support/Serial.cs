// Labs share 2 CPUs and the kernel's namespace machinery: run one test class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
