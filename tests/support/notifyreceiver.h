#pragma once
#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSocketNotifier>

#include <cstddef>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace sluice::test {

// A bound AF_UNIX datagram socket collecting every message (path or abstract "@name").
class NotifyReceiver : public QObject
{
public:
    explicit NotifyReceiver(const QByteArray &address)
        : m_address(address)
    {
        m_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_un sa;
        std::memset(&sa, 0, sizeof sa);
        sa.sun_family = AF_UNIX;
        std::memcpy(sa.sun_path, address.constData(), size_t(address.size()));
        socklen_t len = socklen_t(offsetof(sockaddr_un, sun_path) + size_t(address.size()));
        if (address.startsWith('@'))
            sa.sun_path[0] = '\0';
        m_bound = ::bind(m_fd, reinterpret_cast<sockaddr *>(&sa), len) == 0;
        m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
        connect(m_notifier, &QSocketNotifier::activated, this, [this] {
            char buf[4096];
            for (;;) {
                const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
                if (n < 0)
                    break;
                m_messages << QByteArray(buf, int(n));
            }
        });
    }
    ~NotifyReceiver() override
    {
        delete m_notifier;
        ::close(m_fd);
        if (m_address.startsWith('/'))
            ::unlink(m_address.constData());
    }
    bool bound() const { return m_bound; }
    // Every line of every datagram, in arrival order.
    QList<QByteArray> lines() const
    {
        QList<QByteArray> out;
        for (const QByteArray &m : m_messages)
            out << m.split('\n');
        return out;
    }
    int indexOf(const QByteArray &prefix, int from = 0) const
    {
        const QList<QByteArray> l = lines();
        for (int i = from; i < l.size(); ++i)
            if (l[i].startsWith(prefix))
                return i;
        return -1;
    }
    int count(const QByteArray &prefix) const
    {
        int n = 0;
        const QList<QByteArray> l = lines();
        for (const QByteArray &line : l)
            n += line.startsWith(prefix) ? 1 : 0;
        return n;
    }
    QList<QByteArray> m_messages;

private:
    QByteArray m_address;
    int m_fd = -1;
    bool m_bound = false;
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace sluice::test
