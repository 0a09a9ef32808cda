using Microsoft.AspNetCore.Http;
using SalesFlow.Samples.CrmApi.Http;

namespace SalesFlow.Samples.CrmApi.Tests;

public sealed class DealETagTests
{
    [Fact]
    public void For_Version_IsAQuotedStrongTag()
    {
        DealETag.For(42).Should().Be("\"42\"");
    }

    [Theory]
    [InlineData("\"3\"", 3L, true)]
    [InlineData("\"1\", \"3\"", 3L, true)]
    [InlineData("\"4\"", 3L, false)]
    [InlineData("W/\"3\"", 3L, false)]
    [InlineData("\"abc\"", 3L, false)]
    public void TryReadIfMatch_Tags_MatchOnlyTheStrongVersionsNamed(string header, long version, bool matches)
    {
        var ok = DealETag.TryReadIfMatch(Request(header), out var ifMatch);

        ok.Should().BeTrue();
        ifMatch!.Matches(version).Should().Be(matches);
    }

    [Fact]
    public void TryReadIfMatch_Star_RequiresNothing()
    {
        DealETag.TryReadIfMatch(Request("*"), out var ifMatch).Should().BeTrue();
        ifMatch.Should().BeNull();
    }

    [Fact]
    public void TryReadIfMatch_NoHeader_RequiresNothing()
    {
        DealETag.TryReadIfMatch(new DefaultHttpContext().Request, out var ifMatch).Should().BeTrue();
        ifMatch.Should().BeNull();
    }

    [Theory]
    [InlineData("3")]
    [InlineData("\"3")]
    public void TryReadIfMatch_Malformed_IsRefused(string header)
    {
        DealETag.TryReadIfMatch(Request(header), out _).Should().BeFalse();
    }

    private static HttpRequest Request(string ifMatch)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.IfMatch = ifMatch;
        return context.Request;
    }
}
