using System.Net;
using System.Net.Sockets;

namespace SalesFlow.Storage.Tests.Faults;

/// <summary>
/// A TCP proxy between a client and a database server that can cut a connection for real at one chosen message: the
/// network failing, as seen by both ends. Armed, it cuts the connection that sends the next message — either before
/// the message reaches the server, or after the server has answered it, the answer never reaching the client.
/// </summary>
internal sealed class ConnectionCuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _serverHost;
    private readonly int _serverPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _pumps = [];
    private readonly Task _accepting;
    private int _armed; // 0 none, 1 before the server, 2 after the server answers

    public ConnectionCuttingProxy(string serverHost, int serverPort)
    {
        _serverHost = serverHost;
        _serverPort = serverPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public enum Cut
    {
        BeforeTheServerReadsIt = 1,
        AfterTheServerAnswers = 2,
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Gets a task that completes when an armed cut has happened.</summary>
    public TaskCompletionSource CutDone { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Cuts the connection that sends the next message, at the given point.</summary>
    public void Arm(Cut cut)
    {
        CutDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _armed, (int)cut);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAll(pumps.Select(p => p.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var server = new TcpClient();
            await server.ConnectAsync(_serverHost, _serverPort, _stop.Token);
            var link = new Link(this, client, server);
            lock (_pumps)
            {
                _pumps.Add(link.RunAsync(_stop.Token));
            }
        }
    }

    private sealed class Link(ConnectionCuttingProxy proxy, TcpClient client, TcpClient server)
    {
        private volatile bool _dropNextAnswer;
        private int _closed;

        public Task RunAsync(CancellationToken stop) => Task.WhenAll(ClientToServerAsync(stop), ServerToClientAsync(stop));

        private async Task ClientToServerAsync(CancellationToken stop)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                var from = client.GetStream();
                var to = server.GetStream();
                while (true)
                {
                    var read = await from.ReadAsync(buffer, stop);
                    if (read == 0)
                    {
                        break;
                    }

                    var armed = Interlocked.Exchange(ref proxy._armed, 0);
                    if (armed == (int)Cut.BeforeTheServerReadsIt)
                    {
                        // Done before the close: the client's error may reach the test before this thread runs on.
                        proxy.CutDone.TrySetResult();
                        Close();
                        return;
                    }

                    _dropNextAnswer |= armed == (int)Cut.AfterTheServerAnswers;
                    await to.WriteAsync(buffer.AsMemory(0, read), stop);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                // The other side closed.
            }

            Close();
        }

        private async Task ServerToClientAsync(CancellationToken stop)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                var from = server.GetStream();
                var to = client.GetStream();
                while (true)
                {
                    var read = await from.ReadAsync(buffer, stop);
                    if (read == 0)
                    {
                        break;
                    }

                    if (_dropNextAnswer)
                    {
                        // The server has answered (the commit is done); the client never hears it.
                        proxy.CutDone.TrySetResult();
                        Close();
                        return;
                    }

                    await to.WriteAsync(buffer.AsMemory(0, read), stop);
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                // The other side closed.
            }

            Close();
        }

        private void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                client.Client.LingerState = new LingerOption(true, 0); // a reset, as a failing network gives
                client.Dispose();
                server.Dispose();
            }
        }
    }
}
