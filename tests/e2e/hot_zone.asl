/*
 * An ACPI thermal zone that overheats: 30.0 C until the guest has been up
 * HOT_AFTER (ACPI Timer ticks of 100 ns), then 110.0 C, above its critical
 * trip of 100.0 C. The kernel's ACPI thermal driver polls it every second
 * (_TZP) and, at the critical trip, calls hw_protection_shutdown(), that
 * is orderly_poweroff(): it runs /sbin/poweroff as a usermode helper, the
 * path Hyper-V's shutdown service (hv_utils) takes too.
 * Built by test_orderly_poweroff.sh with iasl, given to QEMU as -acpitable.
 */
DefinitionBlock ("", "SSDT", 2, "GUESTD", "HOTZONE", 1)
{
    Scope (\_TZ)
    {
        ThermalZone (HOT0)
        {
            Method (_TMP, 0, Serialized)
            {
                If (Timer > HOT_AFTER) { Return (3832) }
                Return (3032)
            }
            Method (_CRT, 0) { Return (3732) }
            Method (_TZP, 0) { Return (10) }
        }
    }
}
