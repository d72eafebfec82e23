/// DashboardAssetGenerator: a build tool, run by DashboardAssetsPlugin, that turns
/// `Sources/GHLServer/Dashboard` into Swift source so the dashboard (the data flow's
/// last step) ships inside the binary. It may import CompressNIO only; nothing imports it.
