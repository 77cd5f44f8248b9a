using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Orchestra.Admin.E2E.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of the app, so a test can make the network between browser and server fail:
/// <see cref="Interrupt"/> cuts every open connection (the Blazor circuit's WebSocket among them) and refuses new
/// ones until <see cref="Restore"/>.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint target;
    private readonly ConcurrentDictionary<TcpClient, TcpClient> open = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private volatile bool refusing;

    public TcpProxy(Uri target)
    {
        this.target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        accepting = AcceptAsync();
    }

    /// <summary>The proxy's address: point the browser here.</summary>
    public Uri Url { get; }

    public void Interrupt()
    {
        refusing = true;
        foreach (var (client, server) in open)
        {
            client.Close();
            server.Close();
        }
        open.Clear();
    }

    public void Restore() => refusing = false;

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) when (stop.IsCancellationRequested) { return; }
            if (refusing)
            {
                client.Close();
                continue;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var server = new TcpClient();
        try
        {
            await server.ConnectAsync(target, stop.Token);
            open[client] = server;
            var up = client.GetStream().CopyToAsync(server.GetStream(), stop.Token);
            var down = server.GetStream().CopyToAsync(client.GetStream(), stop.Token);
            await Task.WhenAny(up, down);
        }
        catch (Exception) { /* a side closed: the relay ends */ }
        finally
        {
            open.TryRemove(client, out _);
            client.Close();
            server.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        listener.Stop();
        Interrupt();
        try { await accepting; } catch (Exception) { /* stopping */ }
        stop.Dispose();
    }
}
