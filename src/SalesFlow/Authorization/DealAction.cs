namespace SalesFlow;

/// <summary>What a request asks to do to a deal; the <see cref="DealAuthorizer"/> decides whether the caller may.</summary>
public enum DealAction
{
    /// <summary>Start a deal (<see cref="SalesFlowEngine.StartAsync{TData}(string, string, TData, StartRequest, CancellationToken)"/>, or the deal a referral starts).</summary>
    Start = 0,

    /// <summary>Fire a trigger (<see cref="SalesFlowEngine.FireAsync"/>).</summary>
    Move = 1,

    /// <summary>Force a move past unmet guards (a <see cref="FireRequest.OverrideJustification"/> on a refused move).</summary>
    Override = 2,

    /// <summary>Record an activity, change the data or complete a checklist item.</summary>
    Activity = 3,

    /// <summary>Move a deal to another pipeline version (<see cref="SalesFlowEngine.ApplyMigrationAsync(PipelineMigration, MigrationRequest, CancellationToken)"/>).</summary>
    Migrate = 4,

    /// <summary>Import a deal with its history from another CRM (<see cref="CrmImporter"/>).</summary>
    Import = 5,

    /// <summary>Erase a person's data from a deal and its history (<see cref="SalesFlowEngine.ErasePersonalDataAsync"/>).</summary>
    Erase = 6,
}
