// Only a header target: LLVMFuzzerRunDriver lives in libclang_rt.fuzzer.
#include "CFuzzerDriver.h"
