// A small agent for the Windows containment tests (no Qt, so it starts fast):
//   sluice-test-tree tree         start a child (`sleep`), print "child PID", then wait forever;
//                                 CTRL_BREAK ends it with exit code 42 (the child stays)
//   sluice-test-tree sleep        wait forever
//   sluice-test-tree spawn-check  try to start a child; print "spawn ok" or "spawn failed N"
#include <windows.h>

#include <cstdio>
#include <cstring>
#include <cwchar>

namespace {

BOOL WINAPI onCtrl(DWORD type)
{
    if (type != CTRL_BREAK_EVENT)
        return FALSE;
    std::printf("break\n");
    std::fflush(stdout);
    ::ExitProcess(42);
}

bool startChild(PROCESS_INFORMATION *pi)
{
    wchar_t self[MAX_PATH];
    ::GetModuleFileNameW(nullptr, self, MAX_PATH);
    wchar_t command[MAX_PATH + 16];
    std::swprintf(command, sizeof command / sizeof command[0], L"\"%ls\" sleep", self);
    STARTUPINFOW si = {};
    si.cb = sizeof si;
    // No inherited handles: the child must not hold the parent's stdout open.
    return ::CreateProcessW(nullptr, command, nullptr, nullptr, FALSE, 0, nullptr, nullptr, &si,
                            pi);
}

} // namespace

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (std::strcmp(mode, "sleep") == 0) {
        ::Sleep(INFINITE);
        return 0;
    }
    PROCESS_INFORMATION pi = {};
    const bool started = startChild(&pi);
    if (std::strcmp(mode, "spawn-check") == 0) {
        if (started) {
            ::TerminateProcess(pi.hProcess, 0);
            std::printf("spawn ok\n");
        } else {
            std::printf("spawn failed %lu\n", ::GetLastError());
        }
        return 0;
    }
    if (std::strcmp(mode, "tree") != 0 || !started)
        return 2;
    ::SetConsoleCtrlHandler(onCtrl, TRUE);
    std::printf("child %lu\n", pi.dwProcessId);
    std::fflush(stdout);
    ::Sleep(INFINITE);
    return 0;
}
