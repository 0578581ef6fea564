// Register offsets and bit layouts of the 16550A UART.

extension UART16550 {
    /// Register offsets from the base port (PC16550D datasheet, register summary table).
    enum Register {
        /// RBR (read) / THR (write) with DLAB = 0; DLL with DLAB = 1.
        static let data: UInt16 = 0
        /// IER with DLAB = 0; DLM with DLAB = 1.
        static let interruptEnable: UInt16 = 1
        /// IIR (read) / FCR (write).
        static let interruptIdentification: UInt16 = 2
        /// LCR.
        static let lineControl: UInt16 = 3
        /// MCR.
        static let modemControl: UInt16 = 4
        /// LSR.
        static let lineStatus: UInt16 = 5
        /// MSR.
        static let modemStatus: UInt16 = 6
        /// SCR.
        static let scratch: UInt16 = 7
    }

    /// Interrupt Enable Register (IER). Bits 7-4 always read 0 on the 16550A.
    struct InterruptEnable: OptionSet {
        var rawValue: UInt8
        /// ERBFI: received data available (and, in FIFO mode, the character timeout).
        static let receivedData = Self(rawValue: 0x01)
        /// ETBEI: transmitter holding register empty.
        static let transmitterEmpty = Self(rawValue: 0x02)
        /// ELSI: receiver line status (OE, PE, FE, BI).
        static let lineStatus = Self(rawValue: 0x04)
        /// EDSSI: modem status (any MSR delta bit).
        static let modemStatus = Self(rawValue: 0x08)
        static let writable: UInt8 = 0x0F
    }

    /// Interrupt Identification Register (IIR) codes in bits 3-0, highest priority first.
    enum InterruptID: UInt8 {
        /// Overrun, parity, framing error or break; cleared by reading LSR.
        case lineStatus = 0x06
        /// RX data at or above the trigger level; cleared when it drops below.
        case receivedData = 0x04
        /// FIFO mode: data waiting with no RX activity for 4 character times; cleared by reading RBR.
        case characterTimeout = 0x0C
        /// THR empty; cleared by reading IIR (when it is the reported source) or writing THR.
        case transmitterEmpty = 0x02
        /// CTS, DSR, RI or DCD changed; cleared by reading MSR.
        case modemStatus = 0x00
        /// Bit 0 set: nothing pending.
        case none = 0x01

        /// IIR bits 7-6: both set while the FIFOs are enabled.
        static let fifosEnabled: UInt8 = 0xC0
    }

    /// FIFO Control Register (FCR), write-only.
    struct FIFOControl: OptionSet {
        var rawValue: UInt8
        /// FCR0: enable both FIFOs; changing it empties them.
        static let enable = Self(rawValue: 0x01)
        /// FCR1: empty the RX FIFO (self-clearing).
        static let clearReceiver = Self(rawValue: 0x02)
        /// FCR2: empty the TX FIFO (self-clearing).
        static let clearTransmitter = Self(rawValue: 0x04)
        /// FCR3: DMA mode select (affects only the RXRDY/TXRDY pins).
        static let dmaMode = Self(rawValue: 0x08)
        /// FCR7-6: RX trigger level.
        static let triggerMask: UInt8 = 0xC0

        /// RX FIFO trigger level in bytes for FCR7-6 = 00, 01, 10, 11.
        static func triggerLevel(_ fcr: UInt8) -> Int {
            switch fcr >> 6 {
            case 0: return 1
            case 1: return 4
            case 2: return 8
            default: return 14
            }
        }
    }

    /// Line Control Register (LCR).
    struct LineControl: OptionSet {
        var rawValue: UInt8
        /// WLS1-0: word length 5 + value bits.
        static let wordLengthMask: UInt8 = 0x03
        /// STB: 2 stop bits (1.5 with 5-bit words).
        static let extraStopBit = Self(rawValue: 0x04)
        /// PEN: parity bit generated and checked.
        static let parityEnable = Self(rawValue: 0x08)
        /// EPS: even parity.
        static let evenParity = Self(rawValue: 0x10)
        /// Stick parity.
        static let stickParity = Self(rawValue: 0x20)
        /// Set break: SOUT forced to spacing.
        static let setBreak = Self(rawValue: 0x40)
        /// DLAB: divisor latch access at offsets 0 and 1.
        static let divisorLatchAccess = Self(rawValue: 0x80)

        /// Data bits per character (5-8).
        var wordLength: Int { 5 + Int(rawValue & Self.wordLengthMask) }
        /// Mask of the data bits actually carried on the line.
        var dataMask: UInt8 { UInt8(truncatingIfNeeded: (1 << wordLength) - 1) }
    }

    /// Modem Control Register (MCR). Bits 7-5 always read 0 on the 16550A.
    struct ModemControl: OptionSet {
        var rawValue: UInt8
        /// DTR output.
        static let dataTerminalReady = Self(rawValue: 0x01)
        /// RTS output.
        static let requestToSend = Self(rawValue: 0x02)
        /// OUT1 output (unused on PCs).
        static let out1 = Self(rawValue: 0x04)
        /// OUT2 output: on a PC it enables the buffer that drives the UART's IRQ onto the bus.
        static let out2 = Self(rawValue: 0x08)
        /// LOOP: local loopback diagnostic mode.
        static let loopback = Self(rawValue: 0x10)
        static let writable: UInt8 = 0x1F
    }

    /// Line Status Register (LSR).
    struct LineStatus: OptionSet {
        var rawValue: UInt8
        /// DR: at least one character in RBR / the RX FIFO.
        static let dataReady = Self(rawValue: 0x01)
        /// OE: a character was lost because RBR / the RX FIFO was full.
        static let overrunError = Self(rawValue: 0x02)
        /// PE: parity error in the character at the top of the FIFO.
        static let parityError = Self(rawValue: 0x04)
        /// FE: framing error (no valid stop bit).
        static let framingError = Self(rawValue: 0x08)
        /// BI: break (spacing input for longer than a character).
        static let breakInterrupt = Self(rawValue: 0x10)
        /// THRE: THR (TX FIFO) empty.
        static let transmitterHoldingEmpty = Self(rawValue: 0x20)
        /// TEMT: THR and the transmitter shift register both empty.
        static let transmitterEmpty = Self(rawValue: 0x40)
        /// FIFO mode: at least one PE/FE/BI error in the RX FIFO.
        static let fifoError = Self(rawValue: 0x80)

        /// The bits that raise the line status interrupt and are cleared by reading LSR.
        static let errors: Self = [.overrunError, .parityError, .framingError, .breakInterrupt]
        /// Errors that travel with a character through the FIFO.
        static let characterErrors: Self = [.parityError, .framingError, .breakInterrupt]
    }

    /// Modem Status Register (MSR): delta bits 3-0, line states 7-4.
    struct ModemStatus: OptionSet {
        var rawValue: UInt8
        /// DCTS: CTS changed since MSR was last read.
        static let deltaClearToSend = Self(rawValue: 0x01)
        /// DDSR: DSR changed.
        static let deltaDataSetReady = Self(rawValue: 0x02)
        /// TERI: RI went from on to off.
        static let trailingEdgeRingIndicator = Self(rawValue: 0x04)
        /// DDCD: DCD changed.
        static let deltaDataCarrierDetect = Self(rawValue: 0x08)
        static let clearToSend = Self(rawValue: 0x10)
        static let dataSetReady = Self(rawValue: 0x20)
        static let ringIndicator = Self(rawValue: 0x40)
        static let dataCarrierDetect = Self(rawValue: 0x80)

        static let deltas: UInt8 = 0x0F
        static let lines: UInt8 = 0xF0
    }
}
