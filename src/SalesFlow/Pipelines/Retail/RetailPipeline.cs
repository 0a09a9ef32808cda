namespace SalesFlow.Pipelines.Retail;

/// <summary>Builds the four-stage retail floor pipeline (a jewelry store) from the seed.</summary>
internal static class RetailPipeline
{
    public const string Id = "retail-four-stage";

    private static readonly string[] OpenStages = [RetailStages.Browsing, RetailStages.Curious, RetailStages.Interested, RetailStages.Desire];

    public static PipelineDefinition<RetailDeal> Build() =>
        PipelineBuilder.Create<RetailDeal>(Id, version: 1)
            .Name("Four-stage retail floor")
            .DataTypeName("retail-deal")
            .Stage(RetailStages.Browsing, s => s
                .Name("Browsing")
                .Probability(0.05)
                .Guidance(
                    "The customer walks in and looks around at will (\"blind browsing\"): no demand yet, little desire. Be "
                    + "eye-catching to break the \"no demand\" balance: sell in one sentence, summing up each piece's highlight "
                    + "to catch attention and spark interest, and explain promptly when the customer looks around.")
                .Checklist("browsing-one-sentence", "Sell each piece in one sentence"))
            .Stage(RetailStages.Curious, s => s
                .Name("Curious")
                .Probability(0.15)
                .Guidance(
                    "The customer stops, stares, tries a piece on or asks simple questions (\"What material is this?\", \"How much "
                    + "is this?\"): a signal of interest, not a serious price question. Do not quote the price yet. Introduce: back "
                    + "the one-sentence pitch with a few concise selling points, and stimulate interest through the senses by "
                    + "inviting a try-on: listening alone gives about 10% perception of a product, touching and trying on about 90%.")
                .Checklist("curious-selling-points", "Tell a few concise selling points")
                .Checklist("curious-invite-try-on", "Invite the customer to try the piece on"))
            .Stage(RetailStages.Interested, s => s
                .Name("Interested")
                .Probability(0.35)
                .Guidance(
                    "The customer grows fond of the piece and imagines owning it, and may share occupation, family and hobbies. "
                    + "Listen with interest and encouraging eyes: the easier you are to talk to, the more they trust your "
                    + "recommendations (the halo effect). If the piece they like is out of stock, show the new-product brochures; "
                    + "if similar styles are in store, recommend them or invite a try-on in time.")
                .Checklist("interested-listen", "Listen with interest and encourage the customer to talk")
                .Checklist("interested-brochures", "Show brochures for out-of-stock pieces")
                .Checklist("interested-similar-styles", "Recommend similar styles in store"))
            .Stage(RetailStages.Desire, s => s
                .Name("Desire")
                .Probability(0.6)
                .Guidance(
                    "The customer loves the piece and asks the price carefully, weighing it against their need. Enhance desire: "
                    + "stress the brand and the quality, and explain the price wisely: value-added (explain selection, design and "
                    + "workmanship in depth as the best value for money) or deepening the demand (the price is higher, but it "
                    + "solves an important problem or meets an urgent need).")
                .Checklist("desire-brand-quality", "Stress the brand and the quality")
                .Checklist("desire-explain-price", "Explain the price: value-added, or deepening the demand"))
            .Stage(RetailStages.Purchased, s => s.Name("Purchased").Won())
            .Stage(RetailStages.WalkedAway, s => s.Name("Walked away").Lost())
            .InternalAction(RetailTriggers.NoticesPiece, RetailStages.Browsing)
            .Transition(RetailTriggers.ShowsCuriosity, from: RetailStages.Browsing, to: RetailStages.Curious)
            .Transition(RetailTriggers.SharesPersonalContext, from: RetailStages.Curious, to: RetailStages.Interested)
            .Transition(RetailTriggers.AsksPriceCarefully, from: RetailStages.Interested, to: RetailStages.Desire)
            .InternalAction(RetailTriggers.QuotePrice, RetailStages.Browsing, RetailStages.Curious, RetailStages.Interested)
                .When(RetailGuards.PriceBeforeDesire, static _ => false, RetailGuards.PriceBeforeDesireReason)
            .InternalAction(RetailTriggers.QuotePrice, RetailStages.Desire)
            .Transition(RetailTriggers.Purchase, from: OpenStages, to: RetailStages.Purchased)
            .Transition(RetailTriggers.WalkAway, from: OpenStages, to: RetailStages.WalkedAway)
            .Build();
}
