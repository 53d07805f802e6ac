// swift-tools-version:5.9
// TempIdCore: the Swift package the iOS app depends on.
//  - TempIdCoreFFI: binary target, the XCFramework made by build-xcframework.sh (static
//    libtempid_ffi.a for device and simulator, with the C headers and one modulemap for every
//    uniffi namespace).
//  - TempIdCore: the generated Swift (Sources/TempIdCore/Generated, made by build-xcframework.sh,
//    never committed) + the thin layer (PassStates.swift, …).
import PackageDescription

let package = Package(
    name: "TempIdCore",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "TempIdCore", targets: ["TempIdCore"]),
    ],
    targets: [
        .binaryTarget(name: "TempIdCoreFFI", path: "TempIdCoreFFI.xcframework"),
        .target(
            name: "TempIdCore",
            dependencies: ["TempIdCoreFFI"],
            path: "Sources/TempIdCore"
        ),
    ]
)
