using Microsoft.Extensions.Options;
using SalesFlow;
using SalesFlow.DependencyInjection;
using SalesFlow.Pipelines;
using SalesFlow.Pipelines.Showroom;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the built-in sales processes (<see cref="SalesPipelines"/>) through an <see cref="ISalesFlowBuilder"/>.</summary>
public static class SalesFlowBuiltInPipelinesExtensions
{
    private const string SevenStepB2BKey = "salesflow.builtin." + SalesPipelines.SevenStepB2BId;
    private const string ShowroomKey = "salesflow.builtin." + SalesPipelines.ShowroomId;
    private const string RetailFloorKey = "salesflow.builtin." + SalesPipelines.RetailFloorId;

    /// <summary>
    /// Adds the three built-in pipelines: <see cref="AddSevenStepB2B"/>, <see cref="AddShowroom"/> and
    /// <see cref="AddRetailFloor"/>. Adding a pipeline again does nothing.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder AddBuiltInPipelines(this ISalesFlowBuilder builder) =>
        builder.AddSevenStepB2B().AddShowroom().AddRetailFloor();

    /// <summary>Adds the seven-step B2B pipeline (<see cref="SalesPipelines.SevenStepB2B"/>). Adding it again does nothing.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder AddSevenStepB2B(this ISalesFlowBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddPipeline(SevenStepB2BKey, static _ => SalesPipelines.SevenStepB2B());
    }

    /// <summary>
    /// Adds the ten-step showroom pipeline (<see cref="SalesPipelines.Showroom"/>) with the follow-up cadence of
    /// <see cref="ShowroomFollowUpOptions"/>; a grade left unset keeps <see cref="FollowUpCadence.Default"/>.
    /// Adding it again does nothing.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder AddShowroom(this ISalesFlowBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddPipeline(ShowroomKey, static services =>
        {
            var followUp = services.GetRequiredService<IOptions<ShowroomFollowUpOptions>>().Value;
            var defaults = FollowUpCadence.Default;
            return SalesPipelines.Showroom(new FollowUpCadence(
                followUp.GradeA ?? defaults.GradeA,
                followUp.GradeB ?? defaults.GradeB,
                followUp.GradeC ?? defaults.GradeC));
        });
    }

    /// <summary>Adds the four-stage retail floor pipeline (<see cref="SalesPipelines.RetailFloor"/>). Adding it again does nothing.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static ISalesFlowBuilder AddRetailFloor(this ISalesFlowBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddPipeline(RetailFloorKey, static _ => SalesPipelines.RetailFloor());
    }
}
