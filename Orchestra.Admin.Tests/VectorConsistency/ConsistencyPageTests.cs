using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Orchestra.Admin.Features.VectorConsistency;
using Orchestra.Admin.Features.VectorSearch;
using Orchestra.Admin.Features.Weaviate;
using Orchestra.Admin.Security;
using Orchestra.Admin.Tests.Infrastructure;
using Orchestra.Admin.Tests.WeaviatePages;

namespace Orchestra.Admin.Tests.VectorConsistency;

/// <summary>
/// /vectors/consistency as a Viewer, with the real services: the runs' table in PostgreSQL through the Viewer role's
/// grants, the emulator's class of <see cref="ConsistencyStack"/>, the real local model.
/// </summary>
public sealed class ConsistencyPageTests : BunitSetup, IClassFixture<PostgresDatabaseWithRoles>, IClassFixture<ConsistencyStack>
{
    private readonly ConsistencyStack stack;
    private readonly PostgresDatabaseWithRoles db;

    public ConsistencyPageTests(PostgresDatabaseWithRoles db, ConsistencyStack stack)
    {
        (this.db, this.stack) = (db, stack);
        Services.AddSingleton<IVectorSearch>(new GraphQLVectorSearch(stack.Services));
        Services.AddSingleton(new TextQueries(stack.Embeddings));
        Services.AddSingleton<IWeaviateService>(new FakeWeaviateService());
        Services.AddSingleton<ICurrentOperator>(FakeCurrentOperator.Viewer);
    }

    private async Task UseViewerDatabaseAsync()
    {
        var viewer = await db.ConnectAsRoleAsync("orchestra_admin_viewer");
        Services.AddSingleton(stack.Runs(TestServices.QueryRunner(viewer, TestServices.Options(db))));
        Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true)); // the first use of the services: after the last one is added
    }

    [Fact]
    public async Task A_Viewer_checks_the_vectors_of_a_class_and_reads_N_of_M_mismatched_with_the_worst_objects_linked()
    {
        await UseViewerDatabaseAsync();
        Services.GetRequiredService<NavigationManager>().NavigateTo($"vectors/consistency?class={ConsistencyStack.ClassName}");
        Render<MudPopoverProvider>();
        var page = Render<ConsistencyPage>();

        page.WaitForAssertion(() => Assert.Contains("local all-MiniLM-L6-v2", page.Find("[data-testid=check-provider]").TextContent));
        var labels = page.FindAll("label").Select(l => l.TextContent.Trim()).ToList();
        Assert.Contains("Class", labels);
        Assert.Contains("Text property", labels);
        Assert.Contains("384 dimensions", page.Find("[data-testid=check-provider]").TextContent);
        Assert.Contains("has not been checked yet", page.Find("[data-testid=never-checked]").TextContent);

        var button = page.FindAll("button").Single(b => b.TextContent.Trim() == "Check vectors");
        Assert.False(button.HasAttribute("disabled"));
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Equal($"{stack.Planted.Count} of {stack.Notes.Count} mismatched",
            page.Find("[data-testid=consistency-summary]").TextContent.Trim()), TimeSpan.FromSeconds(60));
        Assert.Contains("Skipped: 3 without text, 2 without a vector", page.Find("[data-testid=consistency-skipped]").TextContent);
        var worstLinks = page.FindAll("tr.mismatch a").Select(a => a.GetAttribute("href")).ToList();
        Assert.Equal(stack.Planted.Select(id => $"weaviate/objects/Note/{id}").Order(), worstLinks.Order());
        Assert.Contains("by vera", page.Markup);
    }

    [Fact]
    public async Task A_provider_that_cannot_serve_the_class_disables_Check_vectors_with_the_reason()
    {
        await UseViewerDatabaseAsync();
        stack.Emulator.Store.CreateClass("""
            {"class": "Tiny", "vectorizer": "none", "vectorIndexConfig": {"distance": "cosine"}, "properties": [{"name": "content", "dataType": ["text"]}]}
            """);
        stack.Emulator.Store.AddObject("Tiny", new { content = "three numbers" }, [0.1f, 0.2f, 0.3f]);
        Services.GetRequiredService<NavigationManager>().NavigateTo("vectors/consistency?class=Tiny");
        Render<MudPopoverProvider>();
        var page = Render<ConsistencyPage>();

        page.WaitForAssertion(() => Assert.Contains("class Tiny's vectors have 3 dimensions", page.Find("[data-testid=check-refusal]").TextContent));
        Assert.Contains("384", page.Find("[data-testid=check-refusal]").TextContent);
        Assert.True(page.FindAll("button").Single(b => b.TextContent.Trim() == "Check vectors").HasAttribute("disabled"));
    }
}
