#pragma once
#include <QJsonObject>
#include <QString>

namespace sluice::ctl {

// Exit codes of docs/reference.md §12.
namespace Exit {
inline constexpr int Ok = 0;
inline constexpr int Failed = 1;
inline constexpr int Usage = 2;
inline constexpr int NotRunning = 3;
} // namespace Exit

// "42 s", "12 min", "3 h 5 min", "2 d 4 h"; "an unknown time" for a negative value.
QString humanAge(double seconds);

// Everything sluicectl prints goes through here, so `--json` always yields exactly one JSON
// document on stdout: {"ok":true,...} or {"ok":false,"error":{"code","message"},...}.
// Without --json results go to stdout as text and errors to stderr.
class CtlOutput
{
public:
    explicit CtlOutput(bool json)
        : m_json(json)
    {}
    bool json() const { return m_json; }

    // Success: `fields` for --json, `text` (may be multi-line, newline added) otherwise.
    int result(const QJsonObject &fields, const QString &text, int exitCode = Exit::Ok);
    // Failure with an error code and message; `extra` fields sit beside `error` in JSON.
    int fail(int exitCode, const QString &code, const QString &message,
             const QJsonObject &extra = {});
    // A progress line for people (text mode only). On a terminal `transient` lines overwrite
    // each other ("\r..."); elsewhere every line is printed plainly.
    void progress(const QString &line, bool transient = false);
    void endProgress();
    // An informational line in text mode (stdout); dropped in JSON mode.
    void info(const QString &line);
    // Text as it comes (a turn's live output): stdout or stderr, no newline added, flushed;
    // dropped in JSON mode.
    void raw(const QString &text, bool toStderr = false);

    static bool stdoutIsTerminal();

private:
    void emitDocument(const QJsonObject &doc);

    bool m_json;
    bool m_emitted = false;
    bool m_transientOpen = false;
};

} // namespace sluice::ctl
