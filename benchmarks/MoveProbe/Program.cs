BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(SalesFlow.Benchmarks.MoveBenchmarks).Assembly).Run(args);
