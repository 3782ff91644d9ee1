using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace HttpGen.Tests.Client;

public sealed partial class RawHttpServer
{
    /// <summary>One accepted connection: its socket, the stream over it (plain or TLS), and a receive buffer.</summary>
    private sealed class Conn(Socket socket)
    {
        public Socket Socket { get; } = socket;
        public Stream Stream { get; set; } = new NetworkStream(socket, ownsSocket: false);
        public byte[] Buffer = new byte[64 * 1024];
        public int Start;
        public int End;
        public volatile bool Idle;
        public int Served;
        private int _closed;

        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                try
                {
                    Socket.Shutdown(SocketShutdown.Both);
                }
                catch (Exception)
                {
                }

                Stream.Dispose();
                Socket.Dispose();
            }
        }

        /// <summary>Receives more; false when the peer closed.</summary>
        public async Task<bool> FillAsync()
        {
            if (Start == End)
            {
                Start = End = 0;
            }
            else if (End == Buffer.Length)
            {
                Buffer.AsSpan(Start, End - Start).CopyTo(Buffer);
                End -= Start;
                Start = 0;
            }

            int n = await Stream.ReadAsync(Buffer.AsMemory(End));
            End += n;
            return n > 0;
        }

        public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

        public async Task SendAsync(byte[] bytes) => await Stream.WriteAsync(bytes);

        /// <summary>Echoes every byte until the peer closes: bytes already buffered first.</summary>
        public async Task EchoAsync()
        {
            while (true)
            {
                if (End > Start)
                {
                    await Stream.WriteAsync(Buffer.AsMemory(Start, End - Start));
                    Start = End = 0;
                }

                if (!await FillAsync())
                {
                    return;
                }
            }
        }

        /// <summary>Closes the sending side only: a TLS close_notify (the TCP connection stays open), or a FIN.</summary>
        public async Task ShutdownSendAsync()
        {
            if (Stream is SslStream tls)
            {
                await tls.ShutdownAsync();
            }
            else
            {
                Socket.Shutdown(SocketShutdown.Send);
            }
        }
    }
}
