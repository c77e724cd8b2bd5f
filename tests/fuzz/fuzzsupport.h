#pragma once
// Shared by the libFuzzer targets of tests/fuzz.
#include <QByteArray>
#include <QDir>
#include <QFileInfo>
#include <QString>
#include <QtGlobal>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace sluice::fuzz {

// Warnings about corrupt markers and the like would flood the output and slow the run;
// criticals and fatals still print.
inline void quietQt()
{
    qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &, const QString &msg) {
        if (type == QtCriticalMsg || type == QtFatalMsg)
            std::fprintf(stderr, "%s\n", msg.toLocal8Bit().constData());
        if (type == QtFatalMsg)
            std::abort();
    });
}

// A broken invariant aborts, so libFuzzer keeps the input as a crash artifact.
[[noreturn]] inline void invariantBroken(const char *what, const char *file, int line)
{
    std::fprintf(stderr, "invariant broken at %s:%d: %s\n", file, line, what);
    std::abort();
}

// Targets that write a file per input: in memory (/dev/shm) when there is one, so the run does
// not wait on a disk shared with other work.
inline QString scratchTemplate()
{
    const QFileInfo shm(QStringLiteral("/dev/shm"));
    const QString base = shm.isDir() && shm.isWritable() ? shm.filePath() : QDir::tempPath();
    return base + QStringLiteral("/sluice-fuzz-XXXXXX");
}

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

// Splits the input into pieces of 1..16 bytes (0: all at once), as a socket might deliver it.
inline qsizetype chunkSize(uint8_t control)
{
    return (control & 0x0f) == 0 ? std::numeric_limits<qsizetype>::max() : (control & 0x0f);
}

} // namespace sluice::fuzz

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ::sluice::fuzz::invariantBroken(#cond, __FILE__, __LINE__);                            \
    } while (false)
