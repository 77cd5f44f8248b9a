using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace Orchestra.Admin.Components.Layout;

public partial class MainLayout
{
    // Remembered per browser, so each operator keeps their own choice.
    private const string ThemeStorageKey = "orchestra-admin-theme";

    [Inject] private IJSRuntime JS { get; set; } = null!;
    [Inject] private Controls.BrowserTimeZone TimeZone { get; set; } = null!;

    private static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#3949ab", AppbarBackground = "#283593" },
        PaletteDark = new PaletteDark { Primary = "#7986cb" },
    };

    private MudThemeProvider? themeProvider;
    private bool isDarkMode;
    private bool drawerOpen = true;
    private bool interactive;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        await TimeZone.ResolveAsync(JS);
        var stored = await JS.InvokeAsync<string?>("localStorage.getItem", ThemeStorageKey);
        isDarkMode = stored switch
        {
            "dark" => true,
            "light" => false,
            _ => themeProvider != null && await themeProvider.GetSystemDarkModeAsync(),
        };
        interactive = true;
        StateHasChanged();
    }

    private async Task ToggleThemeAsync()
    {
        isDarkMode = !isDarkMode;
        await JS.InvokeVoidAsync("localStorage.setItem", ThemeStorageKey, isDarkMode ? "dark" : "light");
    }
}
