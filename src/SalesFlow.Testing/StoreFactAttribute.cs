using System.Reflection;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace SalesFlow.Testing;

/// <summary>
/// A contract fact. It runs in every class deriving from <see cref="DealStoreContractTests"/>; it is skipped with a
/// reason when the class carries a <see cref="SkipStoreContractAttribute"/> that gives one, or when the test finds
/// at run time that the store lacks a capability it needs (<see cref="StoreContractSkipException"/>).
/// </summary>
[XunitTestCaseDiscoverer("SalesFlow.Testing.StoreFactDiscoverer", "SalesFlow.Testing")]
[AttributeUsage(AttributeTargets.Method)]
internal sealed class StoreFactAttribute : FactAttribute;

/// <summary>Finds the test case of a <see cref="StoreFactAttribute"/>, skipped when its class says so.</summary>
internal sealed class StoreFactDiscoverer(IMessageSink diagnosticMessageSink) : IXunitTestCaseDiscoverer
{
    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var reason = testMethod.TestClass.Class is IReflectionTypeInfo reflected
            ? reflected.Type.GetCustomAttributes<SkipStoreContractAttribute>(inherit: true).Select(a => a.Reason).FirstOrDefault(r => r is not null)
            : null;
        yield return new StoreTestCase(diagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod, reason);
    }
}

/// <summary>
/// A contract test case: skipped at discovery for a class-level reason, and reported as skipped (not passed, not
/// failed) when the test throws <see cref="StoreContractSkipException"/>.
/// </summary>
internal sealed class StoreTestCase : XunitTestCase
{
    private string? _skipReason;

    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public StoreTestCase()
    {
    }

    public StoreTestCase(IMessageSink sink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod, string? skipReason)
        : base(sink, display, options, testMethod) => _skipReason = skipReason;

    public override void Serialize(IXunitSerializationInfo data)
    {
        data.AddValue("StoreSkipReason", _skipReason);
        base.Serialize(data);
    }

    public override void Deserialize(IXunitSerializationInfo data)
    {
        _skipReason = data.GetValue<string?>("StoreSkipReason");
        base.Deserialize(data);
    }

    public override async Task<RunSummary> RunAsync(
        IMessageSink diagnosticMessageSink,
        IMessageBus messageBus,
        object[] constructorArguments,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource)
    {
        var skipping = new SkippingMessageBus(messageBus);
        var summary = await base.RunAsync(diagnosticMessageSink, skipping, constructorArguments, aggregator, cancellationTokenSource);
        summary.Failed -= skipping.Skipped;
        summary.Skipped += skipping.Skipped;
        return summary;
    }

    protected override string? GetSkipReason(IAttributeInfo factAttribute) => _skipReason ?? base.GetSkipReason(factAttribute);

    /// <summary>Turns the failure of a test that threw <see cref="StoreContractSkipException"/> into a skip.</summary>
    private sealed class SkippingMessageBus(IMessageBus inner) : IMessageBus
    {
        private static readonly string SkipExceptionName = typeof(StoreContractSkipException).FullName!;

        public int Skipped { get; private set; }

        public bool QueueMessage(IMessageSinkMessage message)
        {
            if (message is ITestFailed failed && failed.ExceptionTypes.Length > 0 && failed.ExceptionTypes[0] == SkipExceptionName)
            {
                Skipped++;
                return inner.QueueMessage(new TestSkipped(failed.Test, failed.Messages[0]));
            }

            return inner.QueueMessage(message);
        }

        public void Dispose()
        {
            // The inner bus belongs to the runner, which disposes it.
        }
    }
}

/// <summary>
/// Thrown by a contract test whose store lacks a capability the test needs (see
/// <see cref="DealStoreContractTests.CreatesIndependentStores"/>); the test is reported as skipped with this message.
/// </summary>
public sealed class StoreContractSkipException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="StoreContractSkipException"/> class.</summary>
    /// <param name="reason">Why the test does not apply to this store.</param>
    public StoreContractSkipException(string reason)
        : base(reason)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="StoreContractSkipException"/> class.</summary>
    /// <param name="reason">Why the test does not apply to this store.</param>
    /// <param name="innerException">The exception that showed it, if any.</param>
    public StoreContractSkipException(string reason, Exception? innerException)
        : base(reason, innerException)
    {
    }
}

/// <summary>
/// Put a derived attribute on a contract test class whose store needs something that may be missing on a
/// developer's machine (a database server): when <see cref="Reason"/> is not <see langword="null"/>, every contract
/// test of the class is reported as skipped with it. Never give a reason in continuous integration.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public abstract class SkipStoreContractAttribute : Attribute
{
    /// <summary>Gets why the contract cannot run here, or <see langword="null"/> when it runs.</summary>
    public abstract string? Reason { get; }
}
