using Archgate.Judging;
using Archgate.Protocol;

namespace Archgate.Core.Tests.Judging;

public sealed class SignerIdentityTests
{
    private static string? Git(string key) => key switch { "user.name" => "Alice Doe", "user.email" => "alice@example.test", _ => null };

    private static string? Env(string name) => name == "ARCHGATE_USER" ? "alice-ci" : null;

    [Fact]
    public void The_flag_comes_first() =>
        Assert.Equal(("alice", IdentitySource.Flag), SignerIdentity.Resolve("alice", Env, Git));

    [Fact]
    public void Then_ARCHGATE_USER() =>
        Assert.Equal(("alice-ci", IdentitySource.Environment), SignerIdentity.Resolve(null, Env, Git));

    [Fact]
    public void Then_git_name_and_email() =>
        Assert.Equal(("Alice Doe <alice@example.test>", IdentitySource.Git), SignerIdentity.Resolve(" ", _ => null, Git));

    [Fact]
    public void Git_email_alone_is_enough() =>
        Assert.Equal(("alice@example.test", IdentitySource.Git), SignerIdentity.Resolve(null, _ => "", k => k == "user.email" ? "alice@example.test" : null));

    [Fact]
    public void Nothing_gives_no_identity() =>
        Assert.Null(SignerIdentity.Resolve(null, _ => null, _ => null));
}
