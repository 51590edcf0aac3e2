using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ImageUpdater.Core.Run;
using Xunit;

namespace ImageUpdater.Core.Tests.Run
{
    public class OrderedLookupsTests
    {
        private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(10);

        [Fact]
        public void Items_come_out_in_input_order_whatever_order_the_work_finishes_in()
        {
            var gates = Enumerable.Range(0, 5).Select(_ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
            var lookups = new OrderedLookups<string>(8, ex => "failed: " + ex.Message);
            for (var i = 0; i < gates.Count; i++)
            {
                var gate = gates[i];
                lookups.Add(_ => gate.Task);
            }

            lookups.Add("a warning");
            gates[4].SetResult("4");
            gates[2].SetResult("2");
            Thread.Sleep(50);
            Assert.Empty(lookups.TakeReady());
            gates[0].SetResult("0");
            var first = new List<string>();
            Assert.True(SpinWait.SpinUntil(() => { first.AddRange(lookups.TakeReady()); return first.Count > 0; }, TimeSpan.FromSeconds(10)));
            Assert.Equal(new[] { "0" }, first);
            gates[1].SetResult("1");
            gates[3].SetResult("3");
            Assert.Equal(new[] { "1", "2", "3", "4", "a warning" }, lookups.Drain(Tick).ToArray());
            Assert.Equal(0, lookups.Count);
        }

        [Fact]
        public void No_more_than_the_throttle_limit_run_at_once_and_a_freed_slot_goes_to_the_oldest_waiting_work()
        {
            var gates = Enumerable.Range(0, 6).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
            var started = new List<int>();
            var lookups = new OrderedLookups<int>(3, _ => -1);
            for (var i = 0; i < gates.Count; i++)
            {
                var n = i;
                lookups.Add(_ =>
                {
                    lock (started)
                    {
                        started.Add(n);
                    }

                    return gates[n].Task;
                });
            }

            int[] Started()
            {
                lock (started)
                {
                    return started.OrderBy(n => n).ToArray();
                }
            }

            Assert.True(SpinWait.SpinUntil(() => Started().Length == 3, TimeSpan.FromSeconds(10)));
            Thread.Sleep(50);
            Assert.Equal(new[] { 0, 1, 2 }, Started());
            gates[1].SetResult(1);
            Assert.True(SpinWait.SpinUntil(() => Started().Length == 4, TimeSpan.FromSeconds(10)));
            Thread.Sleep(50);
            Assert.Equal(new[] { 0, 1, 2, 3 }, Started());
            foreach (var gate in gates)
            {
                gate.TrySetResult(gates.IndexOf(gate));
            }

            Assert.Equal(Enumerable.Range(0, 6), lookups.Drain(Tick).ToArray());
            Assert.Equal(3, lookups.PeakRunning);
        }

        [Fact]
        public void A_failed_work_is_its_own_item_and_the_others_go_on()
        {
            var lookups = new OrderedLookups<string>(2, ex => "failed: " + ex.Message);
            lookups.Add(_ => Task.FromResult("a"));
            lookups.Add(_ => throw new InvalidOperationException("no listing"));
            lookups.Add(async _ =>
            {
                await Task.Yield();
                throw new TimeoutException("too slow");
            });
            lookups.Add(_ => Task.FromResult("d"));
            Assert.Equal(new[] { "a", "failed: no listing", "failed: too slow", "d" }, lookups.Drain(Tick).ToArray());
        }

        [Fact]
        public void Cancelling_stops_running_work_and_fails_the_waiting_ones_without_running_them()
        {
            using var stop = new CancellationTokenSource();
            var ran = 0;
            var lookups = new OrderedLookups<string>(1, ex => ex is OperationCanceledException ? "cancelled" : "failed", stop.Token);
            lookups.Add(async token =>
            {
                Interlocked.Increment(ref ran);
                await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
                return "never";
            });
            for (var i = 0; i < 3; i++)
            {
                lookups.Add(_ =>
                {
                    Interlocked.Increment(ref ran);
                    return Task.FromResult("ran");
                });
            }

            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref ran) == 1, TimeSpan.FromSeconds(10)));
            stop.Cancel();
            Assert.Equal(new[] { "cancelled", "cancelled", "cancelled", "cancelled" }, lookups.Drain(Tick).ToArray());
            Assert.Equal(1, ran);
        }

        [Fact]
        public void TakeUntil_waits_only_while_more_than_keep_are_left()
        {
            var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            var lookups = new OrderedLookups<int>(4, _ => -1);
            lookups.Add(_ => gate.Task);
            lookups.Add(_ => Task.FromResult(2));
            Assert.Empty(lookups.TakeUntil(2, Tick, null));
            var waits = 0;
            var taken = lookups.TakeUntil(1, Tick, () =>
            {
                if (++waits == 3)
                {
                    gate.SetResult(1);
                }
            }).ToArray();
            Assert.Equal(new[] { 1, 2 }, taken);
            Assert.True(waits >= 3);
            Assert.Throws<InvalidOperationException>(() =>
            {
                lookups.Complete();
                lookups.Add(3);
            });
        }
    }
}
