//! The private network: a new network namespace has only a loopback, and it starts down.

/// Bring `lo` up, as `ip link set lo up` would.
pub fn loopback_up() -> Result<(), String> {
    let err = |what: &str| {
        format!(
            "cannot bring up the loopback ({what}): {}",
            std::io::Error::last_os_error()
        )
    };
    // SAFETY: a plain socket, closed below.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(err("socket"));
    }
    // SAFETY: ifreq is plain data; zeroed is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
        *dst = *src as libc::c_char;
    }
    // SAFETY: `req` names the interface; the ioctls read and write its flags in place.
    let result = unsafe {
        if libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req) < 0 {
            Err(err("read flags"))
        } else {
            req.ifr_ifru.ifru_flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
            if libc::ioctl(fd, libc::SIOCSIFFLAGS, &req) < 0 {
                Err(err("set flags"))
            } else {
                Ok(())
            }
        }
    };
    // SAFETY: `fd` is ours.
    unsafe { libc::close(fd) };
    result
}
