#if !NET9_0_OR_GREATER
global using Lock = System.Object;
#endif
