using System.Net;
using System.Net.Sockets;

namespace ImageUpdater.Emulators
{
    /// <summary>The one place emulators get a loopback port: probe a free one, bind, and try again when a parallel test won the race.</summary>
    public static class LoopbackListener
    {
        private const int Attempts = 50;

        /// <summary>A free TCP port on 127.0.0.1 at the time of the call (for servers that are not HttpListeners, e.g. docker-registry).</summary>
        public static int FreePort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return port;
        }

        /// <summary>
        /// Stops and closes a listener. The managed HttpListener looks its endpoint up again on close and, when a parallel test
        /// has taken the port meanwhile, throws "Address already in use" although nothing is left to release.
        /// </summary>
        public static void Shutdown(HttpListener listener)
        {
            try
            {
                listener.Stop();
            }
            catch (HttpListenerException)
            {
            }

            try
            {
                listener.Close();
            }
            catch (HttpListenerException)
            {
            }
        }

        /// <summary>A started HttpListener on http://127.0.0.1:&lt;free port&gt;/; <paramref name="url"/> is that prefix.</summary>
        public static HttpListener Start(out string url)
        {
            for (var attempt = 0; ; attempt++)
            {
                var listener = new HttpListener();
                url = $"http://127.0.0.1:{FreePort()}/";
                listener.Prefixes.Add(url);
                try
                {
                    listener.Start();
                    return listener;
                }
                catch (HttpListenerException) when (attempt < Attempts)
                {
                    listener.Close();
                }
            }
        }
    }
}
