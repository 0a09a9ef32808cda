// The DI integration arrives with its own issue; the package exists so the layout is complete.
[assembly: System.CLSCompliant(false)]
