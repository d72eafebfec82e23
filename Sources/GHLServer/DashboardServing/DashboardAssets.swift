import Foundation
import Hummingbird

/// The dashboard compiled into the executable by `DashboardAssetsPlugin`:
/// every file of `Sources/GHLServer/Dashboard` with its content type, ETag
/// and gzip form. Nothing is read from disk at run time.
enum DashboardAssets {
    /// One file as the generator writes it (`encoded`, in the generated source).
    struct EncodedFile {
        var contentType: String
        var etag: String
        var base64: String
        var gzipBase64: String
    }

    /// One file ready to serve.
    struct File: Sendable {
        var contentType: String
        var etag: String
        var identity: ByteBuffer
        var gzip: ByteBuffer
    }

    /// The files by URL path (`/app.js`), decoded once on first use.
    static let files: [String: File] = encoded.mapValues { file in
        File(contentType: file.contentType, etag: file.etag,
             identity: ByteBuffer(bytes: Data(base64Encoded: file.base64) ?? Data()),
             gzip: ByteBuffer(bytes: Data(base64Encoded: file.gzipBase64) ?? Data()))
    }
}
