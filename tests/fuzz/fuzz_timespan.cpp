// The time-span parser (common/timespan): the input as UTF-8 and as Latin-1 text, and as the
// output of `systemctl show`.
#include "fuzzsupport.h"

#include "sluice/timespan.h"

#include <limits>

using namespace sluice;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQt();
    return 0;
}

namespace {

void check(const QString &text)
{
    quint64 exact = 0;
    const bool accepted = parseSystemdTimespanExact(text, &exact);
    const std::optional<qint64> us = parseSystemdTimespanUs(text);
    // The qint64 form is the exact one minus zero, infinity and values over INT64_MAX.
    if (accepted && exact > 0 && exact <= quint64(std::numeric_limits<qint64>::max()))
        FUZZ_CHECK(us && quint64(*us) == exact);
    else
        FUZZ_CHECK(!us);
    if (!accepted)
        return;
    // systemd ignores trailing whitespace, and "0" adds nothing to a finite span.
    quint64 again = 0;
    FUZZ_CHECK(parseSystemdTimespanExact(text + QStringLiteral(" \t"), &again) && again == exact);
    if (exact != std::numeric_limits<quint64>::max())
        FUZZ_CHECK(parseSystemdTimespanExact(text + QStringLiteral(" 0"), &again) &&
                   again == exact);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray raw = fuzz::bytes(data, size);
    check(QString::fromUtf8(raw));
    check(QString::fromLatin1(raw));
    const std::optional<qint64> fromShow = parseTimeoutStopUSec(QString::fromUtf8(raw));
    FUZZ_CHECK(!fromShow || *fromShow > 0);
    return 0;
}
