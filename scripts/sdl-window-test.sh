#!/usr/bin/env bash
# End-to-end test of the SDL window under Xvfb: the window shows the guest's screen (checked
# against Partita's own --screenshot PNG), keys typed into it reach the guest's PS/2 keyboard
# (a boot sector echoes INT 16h keys to COM1), and Ctrl+Alt+S / Ctrl+Alt+P write a screenshot and
# a snapshot. Uses a release build. Prints "N passed, M failed"; "skipped: ..." only when Xvfb
# and the X tools cannot be installed.
#   PARTITA=path/to/partita  use that binary instead of building
#   PARTITA_SCRATCH=dir      SwiftPM scratch path for the release build (default .build, as the other scripts)
set -uo pipefail
cd "$(dirname "$0")/.."

pass=0 fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
summary() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }

need=()
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xdotool >/dev/null || need+=(xdotool)
command -v import >/dev/null || need+=(imagemagick)
command -v nasm >/dev/null || need+=(nasm)
pkg-config --exists sdl2 2>/dev/null || need+=(libsdl2-dev)
if [ ${#need[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "sdl-window-test: installing ${need[*]}"
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"; } >/dev/null 2>&1
fi
for tool in Xvfb xdotool import compare identify nasm; do
    if ! command -v "$tool" >/dev/null; then
        echo "skipped: $tool is not installed and could not be installed (xvfb, xdotool, imagemagick, nasm)"
        exit 0
    fi
done

if [ -z "${PARTITA:-}" ]; then
    scratch="${PARTITA_SCRATCH:-.build}"
    swift build -c release --product partita --scratch-path "$scratch" >/dev/null || { bad "release build"; summary; exit 1; }
    PARTITA="$scratch/release/partita"
fi
PARTITA=$(realpath "$PARTITA")

work=$(mktemp -d)
xvfb_pid="" partita_pid=""
cleanup() {
    [ -n "$partita_pid" ] && kill "$partita_pid" 2>/dev/null
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# The guest: a boot sector that sets VGA mode 3 itself from the standard register values (this
# tree has no video BIOS; Partita's BIOS only writes B800:0000), cursor off so nothing blinks,
# programs the DAC colours it uses and paints a known screen (blue, with red, green, cyan and
# magenta bars; no font is loaded, so cells show their background colour), says READY on COM1,
# then echoes every INT 16h key to COM1.
cat > "$work/echo.asm" <<'ASM'
bits 16
org 0x7C00
start:
    cli
    xor ax, ax
    mov ds, ax
    mov ss, ax
    mov sp, 0x7C00
    sti
    cld
    mov si, vga_regs
    mov dx, 0x3C2                   ; miscellaneous output
    lodsb
    out dx, al
    mov dx, 0x3C4                   ; sequencer
    mov cx, 5
    call indexed
    mov dx, 0x3D4                   ; CRTC: unprotect registers 0-7 first
    mov ax, 0x0E11
    out dx, ax
    mov cx, 25
    call indexed
    mov dx, 0x3CE                   ; graphics controller
    mov cx, 9
    call indexed
    mov dx, 0x3DA                   ; attribute controller: reset the flip-flop
    in al, dx
    mov dx, 0x3C0
    xor bl, bl
.ac:
    mov al, bl
    out dx, al
    lodsb
    out dx, al
    inc bl
    cmp bl, 21
    jb .ac
    mov al, 0x20                    ; palette access off: video on
    out dx, al
    mov cx, 6                       ; DAC entries: index, r, g, b
.dac:
    mov dx, 0x3C8
    lodsb
    out dx, al
    inc dx
    lodsb
    out dx, al
    lodsb
    out dx, al
    lodsb
    out dx, al
    loop .dac
    mov ax, 0xB800
    mov es, ax
    xor di, di
    mov ax, 0x1F20                  ; blue spaces
    mov cx, 80 * 25
    rep stosw
    mov di, (3 * 80 + 4) * 2
    mov bx, 0x5F20                  ; magenta, red, cyan, green bars
.bars:
    mov ax, bx
    mov cx, 40
    push di
    rep stosw
    pop di
    add di, 2 * 80 * 3
    sub bh, 0x10
    cmp bh, 0x1F
    ja .bars
    mov si, ready
.ready:
    lodsb
    test al, al
    jz .keys
    call com1
    jmp .ready
.keys:
    xor ah, ah
    int 0x16
    call com1
    jmp .keys
indexed:                            ; CX values from DS:SI to index 0.. at DX, data at DX+1
    xor bl, bl
.next:
    mov al, bl
    out dx, al
    inc dx
    lodsb
    out dx, al
    dec dx
    inc bl
    loop .next
    ret
com1:
    push dx
    push ax
    mov dx, 0x3FD                   ; wait for the transmitter
.wait:
    in al, dx
    test al, 0x20
    jz .wait
    pop ax
    mov dx, 0x3F8
    out dx, al
    pop dx
    ret
vga_regs:                           ; mode 3: misc, sequencer, CRTC (0Ah = 20h: no cursor), GC, AC
    db 0x67
    db 0x03, 0x00, 0x03, 0x00, 0x02
    db 0x5F, 0x4F, 0x50, 0x82, 0x55, 0x81, 0xBF, 0x1F, 0x00, 0x4F, 0x20, 0x0E, 0x00, 0x00, 0x00, 0x50
    db 0x9C, 0x8E, 0x8F, 0x28, 0x1F, 0x96, 0xB9, 0xA3, 0xFF
    db 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0E, 0x00, 0xFF
    db 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F
    db 0x0C, 0x00, 0x0F, 0x08, 0x00
    db 0x01, 0, 0, 42               ; DAC: blue, green, cyan, red, magenta, white
    db 0x02, 0, 42, 0
    db 0x03, 0, 42, 42
    db 0x04, 42, 0, 0
    db 0x05, 42, 0, 42
    db 0x3F, 63, 63, 63
ready: db "READY", 13, 10, 0
times 510 - ($ - $$) db 0
dw 0xAA55
ASM
nasm -f bin -o "$work/echo.bin" "$work/echo.asm" || { bad "assemble the boot sector"; summary; exit 1; }
dd if=/dev/zero of="$work/floppy.img" bs=1024 count=1440 status=none
dd if="$work/echo.bin" of="$work/floppy.img" conv=notrunc status=none

Xvfb :99 -screen 0 1024x768x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
export DISPLAY=:99
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.2; done
if ! xdotool getdisplaygeometry >/dev/null 2>&1; then
    echo "skipped: Xvfb :99 did not start ($(head -c 300 "$work/xvfb.log"))"
    exit 0
fi

(cd "$work" && exec "$PARTITA" run --display sdl --floppy floppy.img --serial file:com1.txt \
    --screenshot exit.png --save-on-exit exit.snap --snapshot-file key.snap --timeout 120 \
    >partita.out 2>partita.err) &
partita_pid=$!

waitfor() {  # waitfor SECONDS COMMAND...: poll until COMMAND succeeds
    local limit=$1; shift
    for _ in $(seq $((limit * 5))); do "$@" && return 0; sleep 0.2; done
    return 1
}

if waitfor 60 grep -q READY "$work/com1.txt" 2>/dev/null; then ok "the guest booted from the floppy (READY on COM1)"; else bad "no READY on COM1"; fi
wid=""
waitfor 20 xdotool search --name '^Partita' >/dev/null 2>&1 && wid=$(xdotool search --name '^Partita' | head -1)
if [ -n "$wid" ]; then ok "the window is open: $(xdotool getwindowname "$wid")"; else bad "no Partita window on :99"; fi

if [ -n "$wid" ]; then
    # Give the frame a moment to reach the window, then grab it from the X server.
    sleep 1
    geometry=$(xdotool getwindowgeometry "$wid" | sed -n 's/.*Geometry: //p')
    [ "$geometry" = "720x400" ] && ok "the window follows the 720x400 text mode" || bad "window geometry $geometry, expected 720x400"
    import -window "$wid" "$work/window.png" 2>/dev/null
    colours=$(identify -format %k "$work/window.png" 2>/dev/null || echo 0)
    [ "${colours:-0}" -ge 5 ] && ok "the window is not blank ($colours colours)" || bad "the window looks blank ($colours colours)"

    # Type into the window: the keys go to the PS/2 keyboard, INT 16h hands them to the echo loop.
    xdotool mousemove --window "$wid" 360 300
    xdotool windowfocus --sync "$wid" 2>/dev/null
    sleep 0.3
    xdotool type --delay 120 "hello sdl"
    xdotool key --delay 120 Return
    if waitfor 20 grep -q "hello sdl" "$work/com1.txt"; then ok "typed keys reached the guest (COM1: hello sdl)"; else bad "typed text not on COM1: $(tr -d '\r' <"$work/com1.txt" | tail -c 80)"; fi

    # Partita's keys: Ctrl+Alt+S (screenshot) and Ctrl+Alt+P (snapshot to --snapshot-file).
    xdotool key ctrl+alt+s
    xdotool key ctrl+alt+p
    if waitfor 20 test -s "$work/exit.png" -a -s "$work/key.snap"; then ok "Ctrl+Alt+S wrote the screenshot and Ctrl+Alt+P the snapshot"; else bad "Ctrl+Alt+S/P: $(ls "$work")"; fi
    sleep 0.5
    import -window "$wid" "$work/window.png" 2>/dev/null
fi

# SIGTERM with --save-on-exit ends the run cleanly; --screenshot writes the screen at exit.
kill -TERM "$partita_pid" 2>/dev/null
wait "$partita_pid"
status=$?
partita_pid=""
[ "$status" -eq 143 ] && ok "SIGTERM ended the run (status 143)" || bad "exit status $status after SIGTERM: $(head -c 400 "$work/partita.err")"
[ -s "$work/exit.snap" ] && ok "--save-on-exit saved the machine" || bad "no exit snapshot"

if [ -s "$work/exit.png" ] && [ -s "$work/window.png" ]; then
    # The window shows the guest's frame 1:1 (720x400): compare with Partita's own PNG.
    diff_pixels=$(compare -metric AE "$work/exit.png" "$work/window.png" null: 2>&1 | cut -d' ' -f1)
    total=$((720 * 400))
    if [ -n "$diff_pixels" ] && awk -v d="$diff_pixels" -v t="$total" 'BEGIN { exit !(d <= t / 100) }'; then
        ok "the window matches the --screenshot PNG ($diff_pixels of $total pixels differ)"
    else
        bad "window and --screenshot differ in $diff_pixels of $total pixels"
    fi
    exit_colours=$(convert "$work/exit.png" -unique-colors txt:- | tail -n +2 | awk '{print $3}' | sort -u | tr '\n' ' ')
    window_colours=$(convert "$work/window.png" -unique-colors txt:- | tail -n +2 | awk '{print $3}' | sort -u | tr '\n' ' ')
    [ "$exit_colours" = "$window_colours" ] && ok "same colours in both: $exit_colours" || bad "colours differ: PNG [$exit_colours] window [$window_colours]"
else
    bad "missing exit.png or window.png"
fi
summary
