#include "tray/trayicons.h"

#include "core/guilogging.h"
#include "core/traypresentation.h"

#include <QHash>
#include <QPainter>
#include <QPixmap>
#include <QSvgRenderer>

// Q_INIT_RESOURCE must be used outside any namespace.
static void initIconResources()
{
    // The icons live in a resource of a static library: make sure it is registered.
    static const bool once = [] {
        Q_INIT_RESOURCE(sluice_icons);
        return true;
    }();
    Q_UNUSED(once);
}

namespace sluice::gui {

QStringList TrayIcons::keys()
{
    return {QStringLiteral("starting"), QStringLiteral("running"), QStringLiteral("draining"),
            QStringLiteral("stopping"), QStringLiteral("stopped"), QStringLiteral("unreachable")};
}

QIcon TrayIcons::icon(const QString &key)
{
    static QHash<QString, QIcon> cache;
    const auto it = cache.constFind(key);
    if (it != cache.constEnd())
        return *it;
    initIconResources();
    // Starting is the running gate drawn faint: on its way, not yet open, and no alarm.
    const bool starting = key == QLatin1String("starting");
    QSvgRenderer renderer(iconPath(starting ? QStringLiteral("running") : key));
    QIcon icon;
    if (!renderer.isValid()) {
        qCWarning(lcTray) << "cannot render icon" << iconPath(key);
        return icon;
    }
    for (int size : {16, 22, 24, 32, 48, 64}) {
        for (qreal dpr : {1.0, 2.0}) {
            QPixmap pm(QSize(size, size) * dpr);
            pm.fill(Qt::transparent);
            QPainter p(&pm);
            p.setRenderHint(QPainter::Antialiasing);
            if (starting)
                p.setOpacity(0.55);
            renderer.render(&p);
            p.end();
            pm.setDevicePixelRatio(dpr);
            icon.addPixmap(pm);
        }
    }
    cache.insert(key, icon);
    return icon;
}

} // namespace sluice::gui
