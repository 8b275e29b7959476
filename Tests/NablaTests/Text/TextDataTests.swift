import Foundation
import Testing
@testable import NablaCore
@testable import NablaLibrary

@Suite struct VocabularyTests {
    @Test func charactersAreSortedDistinctUnicodeScalars() throws {
        // "e" + U+0301 is one Swift Character but two scalars, as in Python.
        let vocabulary = Vocabulary(text: "cafe\u{301} cab")
        #expect(vocabulary.characters.map(\.value) == [0x20, 0x61, 0x62, 0x63, 0x65, 0x66, 0x301])
        let tokens = try vocabulary.encode("cafe\u{301}")
        #expect(tokens == [3, 1, 5, 4, 6])
        #expect(vocabulary.decode(tokens) == "cafe\u{301}")
    }

    @Test func anUnknownCharacterIsNamedWithItsPosition() {
        let vocabulary = Vocabulary(text: "abc")
        #expect(throws: VocabularyError(character: "é", position: 2, vocabularySize: 3)) { try vocabulary.encode("abé") }
        let message = VocabularyError(character: "é", position: 2, vocabularySize: 3).description
        #expect(message == "the character \"é\" (U+00E9) at position 2 is not in the vocabulary of 3 characters")
    }

    @Test func roundTripsThroughJSON() throws {
        let vocabulary = Vocabulary(text: "\n\"Hi\", she said.\t")
        let data = try JSONEncoder().encode(vocabulary)
        #expect(try JSONDecoder().decode(Vocabulary.self, from: data) == vocabulary)
        let unsorted = Data(#"{"characters": ["b", "a"]}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Vocabulary.self, from: unsorted) }
    }
}

@Suite struct TextFileTests {
    @Test func decodesUTF8AsScalarsKeepingAByteOrderMark() throws {
        let scalars = try TextFile.decode(Data([0xEF, 0xBB, 0xBF, 0x61, 0xC3, 0xA9, 0x0A]), name: "t.txt")
        #expect(scalars.map(\.value) == [0xFEFF, 0x61, 0xE9, 0x0A])
    }

    @Test func invalidUTF8NamesTheByteOffset() {
        #expect { try TextFile.decode(Data([0x61, 0x62, 0xC3, 0xA9, 0xFF, 0x63]), name: "t.txt") } throws: {
            ($0 as? FormatError)?.location == .byte(4) && "\($0)".hasPrefix("t.txt: byte 4: not valid UTF-8")
        }
        // A sequence cut short at the end of the file.
        #expect { try TextFile.decode(Data([0x61, 0xE2, 0x82]), name: "t.txt") } throws: { ($0 as? FormatError)?.location == .byte(1) }
    }

    @Test func anEmptyFileIsRefused() {
        #expect { try TextFile.decode(Data(), name: "empty.txt") } throws: { "\($0)" == "empty.txt: the file is empty; a text data set needs some text to train on" }
    }
}

@Suite struct TextWindowsTests {
    @Test func windowsAndTheirNextTokenTargets() {
        let windows = TextWindows(tokens: Array(0..<10), blockSize: 3)
        #expect(windows.count == 7)
        let (x, y) = windows.batch([0, 6])
        #expect(x.shape == [2, 3] && y.shape == [2, 3])
        #expect(x.scalars == [0, 1, 2, 6, 7, 8])
        #expect(y.scalars == [1, 2, 3, 7, 8, 9])
    }

    @Test func nonOverlappingWindowsPredictEachCharacterOnce() {
        // 10 tokens in windows of 3: starts 0, 3, 6; targets 1…9, each once; token 0 is never a target.
        let windows = TextWindows(tokens: Array(0..<10), blockSize: 3, stride: 3)
        #expect(windows.count == 3)
        #expect(windows.batch(0..<3).targets.scalars == (1...9).map(Float.init))
        #expect(TextWindows(tokens: Array(0..<9), blockSize: 3, stride: 3).count == 2)
    }

    @Test func fingerprintTellsOtherTextApartWithoutReadingEveryWindow() {
        func digest(_ d: TextWindows) -> String { var h = SHA256(); d.fingerprint(into: &h); return h.hexDigest() }
        let a = TextWindows(tokens: Array(0..<100), blockSize: 8)
        #expect(digest(a) == digest(TextWindows(tokens: Array(0..<100), blockSize: 8)))
        #expect(digest(a) != digest(TextWindows(tokens: Array(0..<99) + [0], blockSize: 8)))
        #expect(digest(a) != digest(TextWindows(tokens: Array(0..<100), blockSize: 4)))
    }

    @Test func randomEpochsDrawWithReplacementBySeedAndEpoch() {
        let windows = TextWindows(tokens: Array(0..<1000), blockSize: 4)
        let loader = DataLoader(windows, batchSize: 6, shuffle: true, seed: 3, samplesPerEpoch: 30)
        #expect(loader.batchesPerEpoch == 5)
        let first = loader.order(epoch: 0)
        #expect(first.count == 30 && first.allSatisfy { (0..<windows.count).contains($0) })
        #expect(first == DataLoader(windows, batchSize: 6, seed: 3, samplesPerEpoch: 30).order(epoch: 0))
        #expect(first != loader.order(epoch: 1))
        let batches = Array(loader.batches(epoch: 2))
        #expect(batches.count == 5 && batches.allSatisfy { $0.inputs.shape == [6, 4] })
        // Each input row is four consecutive tokens starting at the drawn index.
        let starts = loader.order(epoch: 2)
        #expect(batches[0].inputs.scalars.prefix(4).map(Int.init) == Array(starts[0]..<starts[0] + 4))
        // Resuming mid-epoch skips the batches already done.
        #expect(Array(loader.batches(epoch: 2, from: 3))[0].inputs.scalars == batches[3].inputs.scalars)
    }
}

@Suite struct LanguageModelLossTests {
    @Test func averagesCrossEntropyOverEveryPosition() {
        // logits [1, 2, 3]: position 0 uniform (loss ln 3); position 1 softmax of [0, ln 2, 0] picks class 1 (loss ln 2).
        let logits = Tensor(shape: [1, 2, 3], scalars: [0, 0, 0, 0, Float(Foundation.log(2.0)), 0])
        let loss = languageModelLoss(logits, Tensor(shape: [1, 2], scalars: [0, 1])).item
        #expect(Swift.abs(Double(loss) - (Foundation.log(3.0) + Foundation.log(2.0)) / 2) < 1e-6)
        #expect(Swift.abs(bitsPerCharacter(Foundation.log(2.0)) - 1) < 1e-12)
    }
}
