from services.catalog.main import main

main()
