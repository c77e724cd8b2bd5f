#pragma once
#include <windows.h>

namespace sluice::test {

// True under Wine: ntdll exports wine_get_version there and nowhere else. Used only to say
// why a case is skipped when Wine does not implement what it checks (docs/platforms.md).
inline bool runningUnderWine()
{
    const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
    return ntdll && ::GetProcAddress(ntdll, "wine_get_version");
}

} // namespace sluice::test
