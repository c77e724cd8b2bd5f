#pragma once
#include <QObject>
#include <QString>

namespace sluice::gui {

class TrayApp;

// Drives a TrayApp for the docs pictures (tools/screenshots.sh): writes DIR/tray-icons.png at
// once; once the service has answered (and, when asked, a turn is running) it opens the control
// panel and writes DIR/control-panel<suffix>.png (the agents tab with the running turn's live
// output) and DIR/control-panel-history<suffix>.png (the recent turns with one opened), then
// opens the tray menu at the icon and writes DIR/tray-menu<suffix>.png (the screen area around
// the icon and the open menus; the menu alone where no tray exists), then quits. panelOnly: the
// panel pictures alone (for a second language).
class ScreenShooter : public QObject
{
    Q_OBJECT
public:
    ScreenShooter(TrayApp *app, const QString &dir, bool waitForAgent, const QString &suffix,
                  bool panelOnly, QObject *parent = nullptr);
    void start();

private:
    void maybeShoot();
    void shootMenu();
    void shootPanel();
    void shootHistory();
    QString file(const QString &name) const; // DIR/<name><suffix>.png

    TrayApp *m_app;
    QString m_dir;
    bool m_waitForAgent;
    QString m_suffix;
    bool m_panelOnly;
    bool m_started = false;
};

} // namespace sluice::gui
