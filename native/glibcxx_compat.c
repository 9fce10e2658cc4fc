/* TorchSharp 0.107's libLibTorchSharp.so is built with GCC 13 and asks libstdc++ for std::ios_base_library_init()
 * (GLIBCXX_3.4.32), which Debian 12's libstdc++ (GCC 12) does not have: GCC 13 moved iostream start-up behind that
 * call, while GCC 12's libstdc++ still initialises its streams itself, so the call has nothing left to do.
 * Loaded globally before TorchSharp (Reader.Torch's TorchRuntime), with that reference made weak in the app's copy of
 * libLibTorchSharp.so at build time (Directory.Build.targets), this lets the registry's TorchSharp-cpu run here. */
void _ZSt21ios_base_library_initv(void) {}
