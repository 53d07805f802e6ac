package org.tempid.app.platform

import android.Manifest
import android.content.Context
import android.content.pm.PackageManager
import android.location.Address
import android.location.Geocoder
import android.location.Location
import android.location.LocationManager
import android.os.Build
import androidx.core.content.ContextCompat
import com.google.android.gms.location.LocationServices
import com.google.android.gms.location.Priority
import com.google.android.gms.tasks.CancellationTokenSource
import com.google.android.gms.tasks.Tasks
import org.tempid.core.model.LocationOutcome
import org.tempid.core.LocationProvider
import java.util.Locale
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit

/**
 * The core's [LocationProvider]: one coarse fix (FusedLocationProviderClient, or the platform
 * LocationManager on phones without Google Play services) turned into a city name by the
 * Geocoder. Denied permission and "no position" are distinct outcomes, so the core shows the
 * settings link only for the first. Called by the core on a blocking thread.
 */
class AndroidLocationProvider(private val context: Context) : LocationProvider {
    override fun currentCity(): LocationOutcome {
        val granted = ContextCompat.checkSelfPermission(context, Manifest.permission.ACCESS_COARSE_LOCATION) ==
            PackageManager.PERMISSION_GRANTED
        if (!granted) return LocationOutcome.PermissionDenied
        val manager = context.getSystemService(LocationManager::class.java)
        if (manager == null || !manager.isLocationEnabled) {
            return LocationOutcome.Unavailable("location services are off")
        }
        val location = try {
            fusedFix() ?: platformFix(manager)
        } catch (e: SecurityException) {
            return LocationOutcome.PermissionDenied
        } catch (e: Exception) {
            return LocationOutcome.Unavailable(e.javaClass.simpleName)
        } ?: return LocationOutcome.Unavailable("no position")
        val city = try {
            cityOf(location)
        } catch (e: Exception) {
            return LocationOutcome.Unavailable("geocoder: ${e.javaClass.simpleName}")
        } ?: return LocationOutcome.Unavailable("no city for this position")
        return LocationOutcome.City(city)
    }

    @Suppress("MissingPermission")
    private fun fusedFix(): Location? = try {
        val client = LocationServices.getFusedLocationProviderClient(context)
        val token = CancellationTokenSource()
        Tasks.await(client.getCurrentLocation(Priority.PRIORITY_BALANCED_POWER_ACCURACY, token.token), 15, TimeUnit.SECONDS)
            ?: Tasks.await(client.lastLocation, 5, TimeUnit.SECONDS)
    } catch (e: SecurityException) {
        throw e
    } catch (e: Exception) {
        null // no Google Play services, or a timeout: try the platform provider.
    }

    @Suppress("MissingPermission")
    private fun platformFix(manager: LocationManager): Location? {
        val provider = LocationManager.NETWORK_PROVIDER.takeIf { manager.isProviderEnabled(it) }
            ?: LocationManager.GPS_PROVIDER.takeIf { manager.isProviderEnabled(it) }
            ?: return null
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.R) {
            val latch = CountDownLatch(1)
            var fix: Location? = null
            manager.getCurrentLocation(provider, null, context.mainExecutor) { fix = it; latch.countDown() }
            latch.await(20, TimeUnit.SECONDS)
            return fix ?: manager.getLastKnownLocation(provider)
        }
        return manager.getLastKnownLocation(provider)
    }

    private fun cityOf(location: Location): String? {
        if (!Geocoder.isPresent()) return null
        // City names as the passenger reads them: Chinese.
        val geocoder = Geocoder(context, Locale.SIMPLIFIED_CHINESE)
        val address: Address? = if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.TIRAMISU) {
            val latch = CountDownLatch(1)
            var found: Address? = null
            geocoder.getFromLocation(location.latitude, location.longitude, 1, object : Geocoder.GeocodeListener {
                override fun onGeocode(addresses: MutableList<Address>) { found = addresses.firstOrNull(); latch.countDown() }
                override fun onError(errorMessage: String?) { latch.countDown() }
            })
            latch.await(15, TimeUnit.SECONDS)
            found
        } else {
            @Suppress("DEPRECATION")
            geocoder.getFromLocation(location.latitude, location.longitude, 1)?.firstOrNull()
        }
        // Municipalities (北京, 上海 …) come back as adminArea with no locality.
        return address?.locality ?: address?.subAdminArea ?: address?.adminArea
    }
}
