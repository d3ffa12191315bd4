from services.payment.sandbox.main import main

main()
