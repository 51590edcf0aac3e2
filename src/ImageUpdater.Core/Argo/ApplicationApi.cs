using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ImageUpdater.Core.Argo
{
    /// <summary>What an API source offers <see cref="ApplicationQuery.Fetch"/>: get one, list all, and how to say so.</summary>
    internal sealed class ApplicationApi
    {
        public ApplicationApi(string origin, Func<string, CancellationToken, Task<JsonElement>> get, Func<CancellationToken, Task<IReadOnlyList<JsonElement>>> list, Func<string, string> describeGet, string describeList, string listTarget, string where)
        {
            Origin = origin;
            Get = get;
            List = list;
            DescribeGet = describeGet;
            DescribeList = describeList;
            ListTarget = listTarget;
            Where = where;
        }

        public string Origin { get; }

        public Func<string, CancellationToken, Task<JsonElement>> Get { get; }

        public Func<CancellationToken, Task<IReadOnlyList<JsonElement>>> List { get; }

        public Func<string, string> DescribeGet { get; }

        public string DescribeList { get; }

        /// <summary>The target of a failed listing: the server, or the namespace.</summary>
        public string ListTarget { get; }

        /// <summary>"at https://argocd/", for warnings.</summary>
        public string Where { get; }
    }
}
