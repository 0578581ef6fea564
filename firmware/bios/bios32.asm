; BIOS32 Service Directory and the 32-bit PCI BIOS entry (PCI BIOS Specification 2.1, §3.3 and
; "BIOS32 Service Directory" of the Standard BIOS 32-bit Service Directory Proposal 0.4).
;
; Operating systems find the 16-byte header by scanning 0xE0000–0xFFFFF on 16-byte boundaries
; for "_32_" with a zero checksum, then far-call its entry point in 32-bit protected mode with
; flat segments. Both entries are position independent: they reference no absolute addresses.

bits 32
; The header sits at 0xE0040 and the entry right after it at a fixed address, so the checksum is
; an assembly-time constant.
%define BIOS32_ENTRY 0xE0050
    AT 0x40
bios32_header:
    db "_32_"
    dd BIOS32_ENTRY             ; physical address of the directory entry point
    db 0                        ; revision
    db 1                        ; length in 16-byte paragraphs
    db (0x100 - (('_' + '3' + '2' + '_' + 1 + 0x50 + 0x00 + 0x0E) & 0xFF)) & 0xFF
    times 5 db 0

; EAX = service identifier, EBX = 0 (function: return the service's address).
; Returns AL = 0 with EBX = base, ECX = length, EDX = entry offset from base; AL = 80h for an
; unknown service, 81h for an unknown function.
bios32_entry:                   ; = BIOS32_ENTRY (checked below)
    cmp ebx, 0
    jne .bad_function
    cmp eax, '$PCI'
    jne .unknown
    mov ebx, 0xE0000
    mov ecx, 0x10000
    mov edx, pci32_entry - 0xE0000
    xor al, al
    retf
.unknown:
    mov al, 0x80
    retf
.bad_function:
    mov al, 0x81
    retf

; The PCI BIOS functions in 32-bit protected mode: the same functions as INT 1Ah AH=B1h, served
; by the Swift side through a 32-bit register frame (see firmware/README.md). The caller's flags
; are saved in the frame so the service can return CF; POPFD restores them with CF updated.
    AT 0x80                     ; = BIOSServices.pci32Entry (0xE0080), reported by B101h
pci32_entry:
    pushfd
    push dword SVC_PCI32
    pushad
    push dword 0                ; segment slots (unused in a 32-bit frame)
    mov eax, esp
    mov dx, SERVICE_PORT
    out dx, eax
    add esp, 4
    popad
    add esp, 4
    popfd
    retf
bits 16
