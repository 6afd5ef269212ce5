#if !NET9_0_OR_GREATER
global using Lock = System.Object;
#endif

#if !NET9_0_OR_GREATER
namespace GraphAuthResilience
{
    /// <summary>The members of <c>System.Threading.Lock</c> the library uses, over <see cref="System.Threading.Monitor"/> on .NET 8.</summary>
    internal static class LockPolyfill
    {
        public static bool TryEnter(this object gate) => System.Threading.Monitor.TryEnter(gate);

        public static void Exit(this object gate) => System.Threading.Monitor.Exit(gate);

        public static bool IsHeldByCurrentThread(this object gate) => System.Threading.Monitor.IsEntered(gate);
    }
}
#endif
