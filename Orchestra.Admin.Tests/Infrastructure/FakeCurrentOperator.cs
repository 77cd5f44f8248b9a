using System.Net;
using Orchestra.Admin.Security;

namespace Orchestra.Admin.Tests.Infrastructure;

public sealed class FakeCurrentOperator(string name, string role) : ICurrentOperator
{
    public static FakeCurrentOperator Operator => new("otto", AdminRoles.Operator);
    public static FakeCurrentOperator Viewer => new("vera", AdminRoles.Viewer);

    public Task<OperatorIdentity> GetAsync() => Task.FromResult(new OperatorIdentity(name, role, IPAddress.Loopback));
}
