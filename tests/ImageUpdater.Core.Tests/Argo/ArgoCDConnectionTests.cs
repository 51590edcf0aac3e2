using ImageUpdater.Core.Argo;
using Xunit;

namespace ImageUpdater.Core.Tests.Argo
{
    public class ArgoCDConnectionTests
    {
        private static readonly ArgoCDConnection Session = new ArgoCDConnection("argocd.example.com", "session-token", skipCertificateCheck: true) { Account = "alice" };

        [Fact]
        public void ParametersWin()
        {
            var connection = ArgoCDConnection.Resolve("other.example.com:8080", "param-token", false, Session);
            Assert.Equal("https://other.example.com:8080/", connection.Server.ToString());
            Assert.Equal("param-token", connection.Token);
            Assert.False(connection.SkipCertificateCheck);
        }

        [Fact]
        public void TheSessionServesItsOwnServer_KeepingItsCertificateChoice()
        {
            Assert.Same(Session, ArgoCDConnection.Resolve(null, null, false, Session));
            Assert.Same(Session, ArgoCDConnection.Resolve("https://argocd.example.com", null, false, Session));
            var withToken = ArgoCDConnection.Resolve(null, "param-token", false, Session);
            Assert.Equal("param-token", withToken.Token);
            Assert.True(withToken.SkipCertificateCheck);
        }

        [Fact]
        public void SkippingTheCertificateCheckOnTopOfASessionKeepsItsToken()
        {
            var session = new ArgoCDConnection("argocd.example.com", "session-token");
            var connection = ArgoCDConnection.Resolve(null, null, true, session);
            Assert.True(connection.SkipCertificateCheck);
            Assert.Equal("session-token", connection.Token);
        }
    }
}
