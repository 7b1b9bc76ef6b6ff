// Driver options every libnetwork driver reads (netlabel.DriverMTU, netlabel.ContainerIfacePrefix).
export const COMMON_DRIVER_OPTIONS = ['com.docker.network.driver.mtu', 'com.docker.network.container_iface_prefix'] as const;
