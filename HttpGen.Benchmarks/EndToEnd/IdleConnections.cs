using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HttpGen.Benchmarks.EndToEnd;

/// <summary>
/// Memory per idle keep-alive connection: open N connections to a server, send one request on each and read its
/// response (so that every connection has served a request and waits for the next), then read the server's RSS.
/// Bounded by a deadline; every socket is closed afterwards.
/// </summary>
internal static class IdleConnections
{
    public static (long BeforeKiB, long AfterKiB, int Opened) Measure(int port, int serverPid, int count, TimeSpan deadline)
    {
        byte[] request = Encoding.ASCII.GetBytes("GET /plaintext HTTP/1.1\r\nHost: bench\r\n\r\n");
        byte[] buffer = new byte[1024];
        var sockets = new List<Socket>(count);
        long before = ProcessTools.RssKiB(serverPid);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            for (int i = 0; i < count && clock.Elapsed < deadline; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5000 };
                socket.Connect(IPAddress.Loopback, port);
                sockets.Add(socket);
                socket.Send(request);
                int received = 0;
                while (!Encoding.ASCII.GetString(buffer, 0, received).EndsWith("Hello, World!", StringComparison.Ordinal))
                {
                    int n = socket.Receive(buffer, received, buffer.Length - received, SocketFlags.None);
                    if (n == 0)
                    {
                        throw new InvalidOperationException("the server closed a connection");
                    }

                    received += n;
                }
            }

            Thread.Sleep(2000); // let the server settle (and its GC run) before reading its memory
            return (before, ProcessTools.RssKiB(serverPid), sockets.Count);
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }
    }
}
