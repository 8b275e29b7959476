import Foundation
import Testing
import Nabla

/// PGM files found by fuzzing (Fuzz/run.sh pgm): each is a `FormatError`, never a trap or a huge allocation.
@Suite struct PGMHostileTests {
    @Test func plainHeaderPromisingMorePixelsThanBytesIsRefusedBeforeAllocating() throws {
        // 10554 × 10554 plain pixels promised by a 31-byte file: 891 MB reserved before the first pixel was read.
        let text = "P2\n+10554\n+10554\n+162\n+174\n3"
        #expect { try PGM.read(data: Data(text.utf8), name: "big.pgm") } throws: { error in
            "\(error)" == "big.pgm: byte 28: the header promises 111386916 pixels but 7 bytes follow; the file is truncated"
        }
        #expect(try PGM.read(data: Data("P2 2 1 9\n3 9".utf8), name: "tight.pgm").shape == [1, 1, 2])
    }
}
