using System.Collections.Concurrent;
using SalesFlow.Pipelines.B2B;
using SalesFlow.Pipelines.Retail;
using SalesFlow.Pipelines.Showroom;

namespace SalesFlow.Pipelines;

/// <summary>
/// The three sales processes built in, from the seed "seven processes of sales reception": each method returns a
/// shared, immutable definition to register in a <see cref="PipelineRegistry"/>.
/// </summary>
public static class SalesPipelines
{
    /// <summary>The id of the seven-step B2B pipeline.</summary>
    public const string SevenStepB2BId = B2BPipeline.Id;

    /// <summary>The id of the ten-step showroom pipeline.</summary>
    public const string ShowroomId = ShowroomPipeline.Id;

    /// <summary>The id of the four-stage retail floor pipeline.</summary>
    public const string RetailFloorId = RetailPipeline.Id;

    private static readonly Lazy<PipelineDefinition<B2BDeal>> B2B = new(B2BPipeline.Build);
    private static readonly Lazy<PipelineDefinition<RetailDeal>> Retail = new(RetailPipeline.Build);
    private static readonly ConcurrentDictionary<FollowUpCadence, Lazy<PipelineDefinition<ShowroomDeal>>> ShowroomByCadence = new();

    /// <summary>Gets the three built-in pipelines with their defaults (the showroom uses <see cref="FollowUpCadence.Default"/>).</summary>
    public static IReadOnlyList<PipelineDefinition> All => [SevenStepB2B(), Showroom(), RetailFloor()];

    /// <summary>
    /// The seven-step B2B process (<c>b2b-seven-step</c>, version 1): Prospecting → Qualification (BANT) → Needs
    /// assessment → Presentation → Proposal &amp; objections → Close → Follow-up (won), with Lose, Disqualify, Reopen
    /// and Refer. Deals carry <see cref="B2BDeal"/> data; see <see cref="B2BStages"/>, <see cref="B2BTriggers"/>,
    /// <see cref="B2BGuards"/> and <see cref="B2BEngineExtensions"/>.
    /// </summary>
    /// <returns>The shared definition.</returns>
    public static PipelineDefinition<B2BDeal> SevenStepB2B() => B2B.Value;

    /// <summary>
    /// The ten-step showroom process of a property sales office (<c>showroom-ten-step</c>, version 1): Reception →
    /// Project introduction → Site tour → Negotiation → Subscription → Contract → Completed, or No deal yet →
    /// Customer record → Tracking (return visits by grade) → back to Negotiation; Check-out after signing. Deals carry
    /// <see cref="ShowroomDeal"/> data; see <see cref="ShowroomStages"/>, <see cref="ShowroomTriggers"/>,
    /// <see cref="ShowroomGuards"/> and <see cref="ShowroomEngineExtensions"/>.
    /// </summary>
    /// <param name="cadence">The follow-up interval by customer grade; <see langword="null"/> for <see cref="FollowUpCadence.Default"/>.</param>
    /// <returns>The shared definition for that cadence (equal cadences return the same instance).</returns>
    /// <exception cref="ArgumentException">An interval of <paramref name="cadence"/> is not positive.</exception>
    public static PipelineDefinition<ShowroomDeal> Showroom(FollowUpCadence? cadence = null)
    {
        cadence ??= FollowUpCadence.Default;
        var problems = cadence.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("The follow-up cadence is invalid: " + string.Join(" ", problems), nameof(cadence));
        }

        return ShowroomByCadence.GetOrAdd(cadence, static c => new Lazy<PipelineDefinition<ShowroomDeal>>(() => ShowroomPipeline.Build(c))).Value;
    }

    /// <summary>
    /// The four-stage retail floor process of a jewelry store (<c>retail-four-stage</c>, version 1): Browsing →
    /// Curious → Interested → Desire, driven by observed signals, with Purchase and WalkAway from any stage and a
    /// QuotePrice action refused before Desire. Deals carry <see cref="RetailDeal"/> data; see
    /// <see cref="RetailStages"/>, <see cref="RetailTriggers"/>, <see cref="RetailGuards"/> and <see cref="RetailEngineExtensions"/>.
    /// </summary>
    /// <returns>The shared definition.</returns>
    public static PipelineDefinition<RetailDeal> RetailFloor() => Retail.Value;
}
